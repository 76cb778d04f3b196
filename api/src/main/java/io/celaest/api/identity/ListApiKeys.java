package io.celaest.api.identity;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

import java.util.UUID;

/** API keys of one organization, without secrets; answers a {@link ApiKeyPage}. */
public record ListApiKeys(Caller caller, UUID organizationId, PageRequest page) {
}
