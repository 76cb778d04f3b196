package io.celaest.api.identity;

import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;

import java.util.Set;
import java.util.UUID;

public record UserAdded(UUID organizationId, @DataSubject UUID userId, @PersonalData String email,
                        @PersonalData String name, UserRole role, Set<String> scopes) {
}
