package io.celaest.api.licensing;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

import java.util.UUID;

public record ListCollisions(Caller caller, UUID licenseId, PageRequest page) {
}
