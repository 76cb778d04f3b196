package io.celaest.command.licensing;

import java.time.Instant;

/** The payload of a license's expiry deadline: the end it was scheduled for (a renewal makes it obsolete). */
public record ExpiryDue(Instant expiresAt) {
}
