package io.celaest.api.identity;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

import java.util.UUID;

/** Users of one organization, oldest first; answers a {@link UserPage}. */
public record ListUsers(Caller caller, UUID organizationId, PageRequest page) {
}
