package io.celaest.query.audit;

import java.util.List;
import java.util.Map;

/**
 * A page of signed checkpoints, oldest first, with the public key (X.509 SubjectPublicKeyInfo, base64) that
 * verifies them ({@code keyId} is its SHA-256, hex); checkpoints signed before a key change name a key id of
 * {@code retiredPublicKeys}. Pass {@code nextCursor} back as {@code cursor} for the next page; null on the last one.
 */
public record CheckpointPage(List<CheckpointView> items, String nextCursor, String algorithm, String publicKey,
                             String keyId, Map<String, String> retiredPublicKeys) {
}
