package io.celaest.api.identity;

import io.celaest.api.platform.Caller;

import java.util.UUID;

/** Answers an {@link OrganizationView}, or nothing when the organization is unknown, deleted or foreign. */
public record FindOrganization(Caller caller, UUID organizationId) {
}
