package io.celaest.api.identity;

import java.util.Map;
import java.util.UUID;

public record OrganizationSettingsUpdated(UUID organizationId, Map<String, Object> previousSettings, Map<String, Object> settings) {
}
