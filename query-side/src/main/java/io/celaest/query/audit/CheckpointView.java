package io.celaest.query.audit;

import java.time.Instant;

/**
 * A signed checkpoint as published to auditors: {@code signature} (base64) is the Ed25519 signature of the
 * UTF-8 bytes of {@code signedPayload}, verifiable offline with the page's {@code publicKey}.
 */
public record CheckpointView(long id, long position, String chainHead, Instant createdAt, String algorithm,
                             String keyId, String signedPayload, String signature) {

    static CheckpointView of(Checkpoint checkpoint) {
        return new CheckpointView(checkpoint.id(), checkpoint.position(),
                java.util.HexFormat.of().formatHex(checkpoint.chainHead()), checkpoint.createdAt(),
                checkpoint.algorithm(), checkpoint.keyId(), checkpoint.signedPayload(),
                java.util.Base64.getEncoder().encodeToString(checkpoint.signature()));
    }
}
