package io.celaest.api.licensing;

import io.celaest.api.platform.Caller;

import java.util.UUID;

public record ListBindings(Caller caller, UUID licenseId) {
}
