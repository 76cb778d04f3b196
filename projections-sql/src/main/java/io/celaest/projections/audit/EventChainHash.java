package io.celaest.projections.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * The hash chain over the event log, shared by the chain processor and by verification:
 * {@code link(n) = SHA-256(link(n-1) || canonical(event n))}, starting from 32 zero bytes.
 * <p>
 * The canonical bytes of an event are its stored columns exactly as read from {@code domain_event_entry}, each
 * preceded by its length as a 4-byte big-endian integer (-1 for NULL), in this order: event_identifier,
 * aggregate_identifier, sequence_number (8 bytes, big-endian), type, payload_type, payload_revision, payload,
 * meta_data, time_stamp. Texts are UTF-8. Length prefixes make every concatenation unambiguous.
 */
public final class EventChainHash {

    public static final String ALGORITHM = "SHA-256";
    public static final int LINK_BYTES = 32;
    /** The link before the first event. */
    private static final byte[] GENESIS = new byte[LINK_BYTES];

    /** Columns of {@code domain_event_entry} that {@link StoredEvent#read(ResultSet)} expects, in any order. */
    public static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type, "
            + "payload_type, payload_revision, payload, meta_data, time_stamp";

    private EventChainHash() {
    }

    public static byte[] genesis() {
        return GENESIS.clone();
    }

    /** One row of {@code domain_event_entry}, as stored. */
    public record StoredEvent(long globalIndex, String eventIdentifier, String aggregateIdentifier, long sequenceNumber,
                              String type, String payloadType, String payloadRevision, byte[] payload,
                              byte[] metaData, String timeStamp) {

        public static StoredEvent read(ResultSet rs) throws SQLException {
            return new StoredEvent(rs.getLong("global_index"), rs.getString("event_identifier"),
                    rs.getString("aggregate_identifier"), rs.getLong("sequence_number"), rs.getString("type"),
                    rs.getString("payload_type"), rs.getString("payload_revision"), rs.getBytes("payload"),
                    rs.getBytes("meta_data"), rs.getString("time_stamp"));
        }
    }

    /** A reusable hasher: one per thread (it keeps its digest). */
    public static final class Hasher {
        private final MessageDigest digest = sha256();
        private final ByteBuffer number = ByteBuffer.allocate(8);

        /** The link that follows {@code previous} for this event. */
        public byte[] link(byte[] previous, StoredEvent event) {
            if (previous.length != LINK_BYTES) {
                throw new IllegalArgumentException("A link has " + LINK_BYTES + " bytes");
            }
            digest.reset();
            digest.update(previous);
            text(event.eventIdentifier());
            text(event.aggregateIdentifier());
            length(8);
            number.clear();
            digest.update(number.putLong(event.sequenceNumber()).array());
            text(event.type());
            text(event.payloadType());
            text(event.payloadRevision());
            bytes(event.payload());
            bytes(event.metaData());
            text(event.timeStamp());
            return digest.digest();
        }

        private void text(String value) {
            bytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        }

        private void bytes(byte[] value) {
            if (value == null) {
                length(-1);
            } else {
                length(value.length);
                digest.update(value);
            }
        }

        private void length(int length) {
            number.clear();
            digest.update(number.putInt(length).array(), 0, 4);
        }
    }

    /** The canonical bytes of an event, as hashed after the previous link (for documentation and auditors). */
    public static byte[] canonical(StoredEvent event) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.function.Consumer<byte[]> field = value -> {
            out.writeBytes(ByteBuffer.allocate(4).putInt(value == null ? -1 : value.length).array());
            if (value != null) {
                out.writeBytes(value);
            }
        };
        java.util.function.Function<String, byte[]> utf8 = s -> s == null ? null : s.getBytes(StandardCharsets.UTF_8);
        field.accept(utf8.apply(event.eventIdentifier()));
        field.accept(utf8.apply(event.aggregateIdentifier()));
        field.accept(ByteBuffer.allocate(8).putLong(event.sequenceNumber()).array());
        field.accept(utf8.apply(event.type()));
        field.accept(utf8.apply(event.payloadType()));
        field.accept(utf8.apply(event.payloadRevision()));
        field.accept(event.payload());
        field.accept(event.metaData());
        field.accept(utf8.apply(event.timeStamp()));
        return out.toByteArray();
    }

    public static String hex(byte[] bytes) {
        return bytes == null ? null : HexFormat.of().formatHex(bytes);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
