package io.celaest.query.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A signed checkpoint of the event chain: "the chain up to global index {@code position} ends with
 * {@code chainHead}", signed at {@code createdAt}. The signature covers the UTF-8 bytes of
 * {@link #signedPayload()}, a fixed text form of the other fields that auditors can recompute themselves.
 */
public record Checkpoint(long id, long position, byte[] chainHead, Instant createdAt, String algorithm,
                         String keyId, String signedPayload, byte[] signature) {

    public static final String FORMAT = "celaest-audit-checkpoint/v1";

    /** The exact text that is signed, one {@code name=value} per line, newline-terminated. */
    public static String payload(String algorithm, String keyId, long position, byte[] chainHead, Instant createdAt) {
        return FORMAT + "\n"
                + "algorithm=" + algorithm + "\n"
                + "key=" + keyId + "\n"
                + "position=" + position + "\n"
                + "chainHead=" + HexFormat.of().formatHex(chainHead) + "\n"
                + "createdAt=" + createdAt + "\n";
    }

    /** True when the stored signed text is exactly what the row's columns say. */
    public boolean payloadMatchesColumns() {
        return signedPayload.equals(payload(algorithm, keyId, position, chainHead, createdAt));
    }

    public byte[] signedBytes() {
        return signedPayload.getBytes(StandardCharsets.UTF_8);
    }
}
