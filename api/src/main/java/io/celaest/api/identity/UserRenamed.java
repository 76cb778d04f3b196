package io.celaest.api.identity;

import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;

import java.util.UUID;

public record UserRenamed(UUID organizationId, @DataSubject UUID userId, @PersonalData String previousName,
                          @PersonalData String name) {
}
