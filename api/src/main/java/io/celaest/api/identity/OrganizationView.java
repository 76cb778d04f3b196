package io.celaest.api.identity;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

public record OrganizationView(UUID id, String name, String slug, String plan, String status, int maxUsers,
                               long maxApiCallsPerMonth, int activeUsers, Map<String, Object> settings,
                               boolean onboardingCompleted, String suspensionReason, Instant createdAt,
                               Instant updatedAt) {
}
