package io.celaest.projections.platform;

import io.celaest.api.platform.Instants;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Keyset pagination position (created_at, id), opaque to clients as base64url. */
public record Cursor(Instant createdAt, UUID id) {

    public String encode() {
        String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidCursor when the text is not a cursor this service produced */
    public static Cursor decode(String text) {
        Cursor cursor;
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
            cursor = new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                    UUID.fromString(parts[2]));
        } catch (RuntimeException e) {
            throw new InvalidCursor();
        }
        // what this service stores lies in Instants' range; PostgreSQL's timestamps end sooner than Java's instants,
        // and out of theirs it would fail the query (a 500)
        if (!Instants.inRange(cursor.createdAt())) {
            throw new InvalidCursor();
        }
        return cursor;
    }

    public static class InvalidCursor extends IllegalArgumentException {
        public InvalidCursor() {
            super("cursor is not valid");
        }
    }
}
