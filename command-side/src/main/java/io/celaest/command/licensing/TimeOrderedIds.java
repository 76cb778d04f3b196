package io.celaest.command.licensing;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows written in time order land at the end
 * of their indexes instead of all over them, and no thread waits on the shared SecureRandom of
 * {@link UUID#randomUUID()}: these ids name log rows, they are not secrets.
 */
final class TimeOrderedIds {

    private TimeOrderedIds() {
    }

    static UUID next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
