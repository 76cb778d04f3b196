package io.celaest.api.identity;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

/** Organizations the caller may see, oldest first; answers a {@code OrganizationPage}. */
public record ListOrganizations(Caller caller, PageRequest page) {
}
