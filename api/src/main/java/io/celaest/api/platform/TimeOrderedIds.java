package io.celaest.api.platform;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids the platform hands out (organizations,
 * users, keys, licenses, bindings, Axon's message and event identifiers) land at the end of their PostgreSQL
 * indexes, which compare uuids byte by byte, instead of on a random page of an index much larger than memory: one
 * hot page dirtied per batch instead of one page (and, after a checkpoint, one full-page WAL image) per row.
 */
public final class TimeOrderedIds {

    /**
     * Ids that leave the server take their random bits from a SecureRandom, as {@link UUID#randomUUID()} does, so
     * one id tells nothing about the next; one DRBG per thread, so no thread waits on another's.
     */
    private static final ThreadLocal<SecureRandom> SECURE = ThreadLocal.withInitial(() -> {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    });

    private TimeOrderedIds() {
    }

    public static UUID next() {
        SecureRandom random = SECURE.get();
        return v7(System.currentTimeMillis(), random.nextLong(), random.nextLong());
    }

    /**
     * For rows written thousands of times a second whose ids are no secret and predict nothing that is (e.g. the
     * validation log): ThreadLocalRandom, whose output a reader of a few ids could extrapolate.
     */
    public static UUID forLogRow(long epochMillis) {
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

    /** Whether an id in text form is a UUIDv7 (its version digit is the first of the third group). */
    public static boolean isTimeOrdered(String id) {
        return id != null && id.length() == 36 && id.charAt(14) == '7' && id.charAt(8) == '-';
    }

    private static UUID v7(long epochMillis, long bitsA, long bitsB) {
        long high = (epochMillis << 16) | 0x7000L | (bitsA & 0x0FFFL);
        long low = (bitsB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
