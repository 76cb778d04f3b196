package io.celaest.api.identity;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

/** Platform API keys (no organization), without secrets; answers an {@link ApiKeyPage}. */
public record ListPlatformApiKeys(Caller caller, PageRequest page) {
}
