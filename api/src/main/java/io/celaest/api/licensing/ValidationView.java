package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

public record ValidationView(UUID id, UUID licenseId, Instant validatedAt, String ip, String fingerprint,
                             UUID productId, String code, boolean valid) {
}
