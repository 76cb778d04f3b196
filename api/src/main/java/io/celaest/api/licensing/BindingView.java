package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

public record BindingView(UUID id, UUID licenseId, String kind, String value, boolean manual, Instant createdAt,
                          Instant lastUsedAt) {
}
