package io.celaest.api.identity;

import java.util.UUID;

/** The user's personal-data key was destroyed; {@code wasActive} tells whether a seat was freed. */
public record UserErased(UUID organizationId, UUID userId, boolean wasActive) {
}
