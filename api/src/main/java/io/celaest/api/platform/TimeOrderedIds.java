package io.celaest.api.platform;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids the platform hands out (organizations,
 * users, keys, licenses, bindings, validation rows, Axon's message and event identifiers) land at the end of their
 * PostgreSQL indexes, which compare uuids byte by byte, instead of on a random page of an index much larger than
 * memory: one hot page dirtied per batch instead of one page (and, after a checkpoint, one full-page WAL image) per
 * row. 74 random bits keep them unguessable; none of them is a credential. ThreadLocalRandom, not the shared
 * SecureRandom of {@link UUID#randomUUID()}, so no thread waits on another to make an id.
 */
public final class TimeOrderedIds {

    private TimeOrderedIds() {
    }

    public static UUID next() {
        return next(System.currentTimeMillis());
    }

    public static UUID next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return v7(epochMillis, random.nextLong(), random.nextLong());
    }

    /**
     * The same id for the same time and name, e.g. a projection's row for an event, which a replay must write again
     * under the same id: the random bits come from a hash of the name.
     */
    public static UUID derived(long epochMillis, String name) {
        UUID hash = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        return v7(epochMillis, hash.getMostSignificantBits(), hash.getLeastSignificantBits());
    }

    private static UUID v7(long epochMillis, long bitsA, long bitsB) {
        long high = (epochMillis << 16) | 0x7000L | (bitsA & 0x0FFFL);
        long low = (bitsB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
