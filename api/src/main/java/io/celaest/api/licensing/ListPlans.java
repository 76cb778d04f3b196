package io.celaest.api.licensing;

import io.celaest.api.platform.Caller;

public record ListPlans(Caller caller) {
}
