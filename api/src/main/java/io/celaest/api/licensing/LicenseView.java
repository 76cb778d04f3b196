package io.celaest.api.licensing;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A license as the Licensing Hub shows it: {@code limits} are the effective ones (the plan's, with
 * {@code customLimits} — only the overridden fields — applied).
 */
public record LicenseView(UUID id, UUID organizationId, String keyHint, String plan, UUID productId, String type,
                          String status, Instant expiresAt, PlanLimitsView limits, Map<String, Object> customLimits,
                          String suspensionReason, int bindings, Instant createdAt, Instant updatedAt) {
}
