package io.celaest.api.identity;

import java.util.UUID;

/** The API key's personal-data key was destroyed: the client IPs of the requests it made read as erased. */
public record ApiKeyErased(UUID organizationId, UUID keyId) {
}
