package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tamper evidence end to end: every stored event is linked into the hash chain, verification recomputes it
 * from the event table, and edits made directly in PostgreSQL (a changed payload or metadata, a deleted event,
 * two events swapped, a forged checkpoint, a rewritten chain) are reported at exactly their position. Each case
 * works on the events of fresh organizations, verifies only their range, and restores the original rows, so
 * the chain stays intact for every other test sharing the database.
 */
class EventChainTest extends PlatformTest {

    /** The events of freshly created organizations: their global indexes, and the range they span. */
    private record Events(List<Long> indexes, long from, long to) {
    }

    // --- the chain covers the events and verifies ---

    @Test
    void everyStoredEventIsChainedInGlobalOrderAndTheChainVerifies() throws Exception {
        Events events = freshEvents(3);
        assertThat(events.indexes()).hasSizeGreaterThanOrEqualTo(6);

        JsonNode result = verify(events.from(), events.to());
        assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("firstMismatch").isNull()).isTrue();
        assertThat(result.get("checkedEvents").asLong()).isEqualTo(countEvents(events.from(), events.to()));

        // The links are SHA-256(previous link || length-prefixed columns), recomputed here independently.
        try (Connection c = database.connect()) {
            byte[] previous = linkBefore(c, events.from());
            int rows = 0;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT e.*, c.event_identifier AS chained_id, c.link FROM domain_event_entry e
                    JOIN event_chain c ON c.global_index = e.global_index
                    WHERE e.global_index BETWEEN ? AND ? ORDER BY e.global_index""")) {
                s.setLong(1, events.from());
                s.setLong(2, events.to());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        byte[] expected = link(previous, rs);
                        assertThat(rs.getString("chained_id")).isEqualTo(rs.getString("event_identifier"));
                        assertThat(rs.getBytes("link")).as("link at %d", rs.getLong("global_index")).isEqualTo(expected);
                        previous = expected;
                        rows++;
                    }
                }
            }
            assertThat(rows).isEqualTo(countEvents(events.from(), events.to()));
        }

        // The whole log. (A database kept from an earlier run holds checkpoints signed with that run's key, which
        // this run does not trust: start after them. On the throwaway database of ./celaest test, from = 0.)
        long from = afterCheckpointsOfOtherKeys();
        JsonNode whole = from == 0 ? verify(null, null) : verify(from, null);
        assertThat(whole.get("verified").asBoolean()).as(whole.toString()).isTrue();
        assertThat(whole.get("checkedEvents").asLong()).isEqualTo(countEvents(from, whole.get("chainHead").asLong()));
    }

    // --- gaps of the global index ---

    @Test
    void aRolledBackGlobalIndexIsSkippedAndTheChainLinksTheNextExistingEvent() throws Exception {
        long gap;
        try (Connection c = database.connect()) {
            gap = number(c, "SELECT nextval('event_global_index_seq')");
        }
        Events events = freshEvents(1);
        assertThat(events.from()).isGreaterThan(gap);
        assertThat(linkExists(gap)).isFalse();
        JsonNode result = verify(gap - 1, events.to());
        assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("checkedEvents").asLong()).isEqualTo(countEvents(gap - 1, events.to()));
    }

    @Test
    void theChainDoesNotLinkPastAnIndexWhoseTransactionIsStillOpen() throws Exception {
        freshEvents(1);
        try (Connection open = database.connect()) {
            open.setAutoCommit(false);
            long inFlight;
            try (PreparedStatement s = open.prepareStatement("""
                    INSERT INTO domain_event_entry (aggregate_identifier, sequence_number, type, event_identifier,
                                                    meta_data, payload, payload_revision, payload_type, time_stamp)
                    VALUES (?, 0, NULL, ?, '{}'::bytea, '"chain probe"'::bytea, NULL, 'java.lang.String', ?)
                    RETURNING global_index""")) {
                String id = java.util.UUID.randomUUID().toString();
                s.setString(1, id);
                s.setString(2, id);
                s.setString(3, java.time.Instant.now().toString());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    inFlight = rs.getLong(1);
                }
            }
            // A later event commits first; the chain must wait for the lower index to settle.
            String organization = Fixtures.createOrganization(api(), "starter");
            long later = eventsOf(organization).get(0);
            assertThat(later).isGreaterThan(inFlight);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(this::chainWaitsForWriters);
            assertThat(chainHead()).isLessThan(inFlight);
            open.rollback();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> chainHead() >= later);
            assertThat(linkExists(inFlight)).isFalse();
            assertThat(linkExists(later)).isTrue();
            JsonNode result = verify(inFlight - 1, later);
            assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
        }
    }

    // --- tampering with events ---

    @Test
    void aModifiedPayloadOrMetadataIsReportedAtExactlyItsPosition() throws Exception {
        Events events = freshEvents(2);
        long target = events.indexes().get(2);
        for (String column : List.of("payload", "meta_data")) {
            byte[] original = column(target, column);
            try {
                execute("UPDATE domain_event_entry SET " + column + " = ? WHERE global_index = ?",
                        replaceFirst(original, "\"", "'"), target);
                assertMismatch(verify(events.from(), events.to()), target, "EVENT_MODIFIED");
            } finally {
                execute("UPDATE domain_event_entry SET " + column + " = ? WHERE global_index = ?", original, target);
            }
            assertThat(verify(events.from(), events.to()).get("verified").asBoolean()).isTrue();
        }
    }

    @Test
    void aDeletedEventIsReportedAtItsPosition() throws Exception {
        Events events = freshEvents(2);
        long target = events.indexes().get(1);
        Map<String, Object> row = row(target);
        try {
            execute("DELETE FROM domain_event_entry WHERE global_index = ?", target);
            JsonNode result = verify(events.from(), events.to());
            assertMismatch(result, target, "EVENT_MISSING");
            assertThat(result.get("checkedEvents").asLong()).isEqualTo(countEvents(events.from(), target - 1));
        } finally {
            insert(row);
        }
        assertThat(verify(events.from(), events.to()).get("verified").asBoolean()).isTrue();
    }

    @Test
    void twoSwappedEventsAreReportedAtTheFirstOfThem() throws Exception {
        Events events = freshEvents(2);
        long first = events.indexes().get(1);
        long second = events.indexes().get(3);
        try {
            swapGlobalIndexes(first, second);
            assertMismatch(verify(events.from(), events.to()), first, "EVENTS_REORDERED");
        } finally {
            swapGlobalIndexes(first, second);
        }
        assertThat(verify(events.from(), events.to()).get("verified").asBoolean()).isTrue();

        // Swapping contents (identifier and payload) instead of positions is the same reordering.
        Map<String, Object> a = row(first);
        Map<String, Object> b = row(second);
        try {
            swapContents(first, a, second, b);
            assertMismatch(verify(events.from(), events.to()), first, "EVENTS_REORDERED");
        } finally {
            swapContents(first, b, second, a);
        }
        assertThat(verify(events.from(), events.to()).get("verified").asBoolean()).isTrue();
    }

    // --- signed checkpoints ---

    @Test
    void checkpointsAreSignedAndVerifiableOfflineWithThePublishedKey() throws Exception {
        Events events = freshEvents(1);
        Api.Response created = asAdmin("POST", "/api/v1/audit/checkpoints", null);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long position = created.json().get("position").asLong();
        assertThat(position).isGreaterThanOrEqualTo(events.to());

        JsonNode listed = findCheckpoint(created.json().get("id").asLong());
        JsonNode page = listed.get("page");
        JsonNode checkpoint = listed.get("checkpoint");
        assertThat(page.get("algorithm").asText()).isEqualTo("Ed25519");
        assertThat(checkpoint.get("chainHead").asText()).isEqualTo(hex(linkAt(position)));
        String signedPayload = checkpoint.get("signedPayload").asText();
        assertThat(signedPayload).contains("position=" + position + "\n")
                .contains("chainHead=" + checkpoint.get("chainHead").asText() + "\n")
                .contains("createdAt=" + checkpoint.get("createdAt").asText() + "\n");

        // What an auditor does offline with a copy: the JDK alone, the published key, the signed bytes.
        PublicKey key = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(page.get("publicKey").asText())));
        Signature signature = Signature.getInstance("Ed25519");
        signature.initVerify(key);
        signature.update(signedPayload.getBytes(StandardCharsets.UTF_8));
        assertThat(signature.verify(Base64.getDecoder().decode(checkpoint.get("signature").asText()))).isTrue();
        signature.initVerify(key);
        signature.update(signedPayload.replace("position=" + position, "position=" + (position + 1))
                .getBytes(StandardCharsets.UTF_8));
        assertThat(signature.verify(Base64.getDecoder().decode(checkpoint.get("signature").asText()))).isFalse();

        JsonNode result = verify(events.from(), position);
        assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("checkedCheckpoints").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aForgedCheckpointIsReported() throws Exception {
        Events events = freshEvents(1);
        JsonNode checkpoint = asAdmin("POST", "/api/v1/audit/checkpoints", null).json();
        long id = checkpoint.get("id").asLong();
        long position = checkpoint.get("position").asLong();
        byte[] signature = Base64.getDecoder().decode(checkpoint.get("signature").asText());
        byte[] head = HexFormat.of().parseHex(checkpoint.get("chainHead").asText());

        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        try {
            execute("UPDATE audit_checkpoints SET signature = ? WHERE id = ?", flipped, id);
            assertMismatch(verify(events.from(), position), position, "CHECKPOINT_SIGNATURE_INVALID");
        } finally {
            execute("UPDATE audit_checkpoints SET signature = ? WHERE id = ?", signature, id);
        }
        byte[] otherHead = head.clone();
        otherHead[0] ^= 1;
        try {
            execute("UPDATE audit_checkpoints SET chain_head = ? WHERE id = ?", otherHead, id);
            assertMismatch(verify(events.from(), position), position, "CHECKPOINT_SIGNATURE_INVALID");
        } finally {
            execute("UPDATE audit_checkpoints SET chain_head = ? WHERE id = ?", head, id);
        }
        assertThat(verify(events.from(), position).get("verified").asBoolean()).isTrue();
    }

    @Test
    void aRewrittenChainIsCaughtByTheSignedCheckpoint() throws Exception {
        Events events = freshEvents(2);
        long position = asAdmin("POST", "/api/v1/audit/checkpoints", null).json().get("position").asLong();
        long target = events.indexes().get(1);
        byte[] original = column(target, "payload");
        Map<Long, byte[]> originalLinks = new LinkedHashMap<>();
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            execute(c, "UPDATE domain_event_entry SET payload = ? WHERE global_index = ?",
                    replaceFirst(original, "\"", "'"), target);
            // The forger recomputes every link from the edited event up to the signed position.
            byte[] previous = linkBefore(c, target);
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT e.*, c.link FROM domain_event_entry e JOIN event_chain c USING (global_index) "
                            + "WHERE e.global_index BETWEEN ? AND ? ORDER BY e.global_index")) {
                s.setLong(1, target);
                s.setLong(2, position);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        originalLinks.put(rs.getLong("global_index"), rs.getBytes("link"));
                        previous = link(previous, rs);
                        execute(c, "UPDATE event_chain SET link = ? WHERE global_index = ?", previous,
                                rs.getLong("global_index"));
                    }
                }
            }
            c.commit();
        }
        try {
            assertMismatch(verify(events.from(), position), position, "CHECKPOINT_MISMATCH");
        } finally {
            execute("UPDATE domain_event_entry SET payload = ? WHERE global_index = ?", original, target);
            for (Map.Entry<Long, byte[]> link : originalLinks.entrySet()) {
                execute("UPDATE event_chain SET link = ? WHERE global_index = ?", link.getValue(), link.getKey());
            }
        }
        assertThat(verify(events.from(), position).get("verified").asBoolean()).isTrue();
    }

    // --- who may call ---

    @Test
    void onlyThePlatformOperatorMayReadOrWriteTheChainEndpoints() {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "starter");
        for (String[] call : List.of(new String[]{"GET", "/api/v1/audit/checkpoints"},
                new String[]{"POST", "/api/v1/audit/checkpoints"}, new String[]{"GET", "/api/v1/audit/verify"})) {
            Api.Response asTenant = api().call(call[0], call[1], tenant.key(), null);
            assertThat(asTenant.status()).as(call[0] + " " + call[1] + ": " + asTenant).isEqualTo(403);
            Api.Response anonymous = api().call(call[0], call[1], null, null);
            assertThat(anonymous.status()).as(call[0] + " " + call[1] + ": " + anonymous).isEqualTo(401);
        }
        assertThat(asAdmin("GET", "/api/v1/audit/verify?from=5&to=4", null).status()).isEqualTo(422);
        assertThat(asAdmin("GET", "/api/v1/audit/verify?from=-1", null).status()).isEqualTo(400);
        assertThat(asAdmin("GET", "/api/v1/audit/checkpoints?cursor=nonsense", null).status()).isEqualTo(400);
        assertThat(asAdmin("GET", "/api/v1/audit/checkpoints?limit=0", null).status()).isEqualTo(400);
    }

    // --- helpers ---

    /** Organizations with a user each, created through the API, once the chain has linked all of it. */
    private Events freshEvents(int organizations) throws SQLException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < organizations; i++) {
            String id = Fixtures.createOrganization(api(), "starter");
            Api.Response user = asAdmin("POST", "/api/v1/organizations/" + id + "/users",
                    Map.of("email", "chain-" + i + "@example.io", "name", "Chain " + i, "role", "member"));
            assertThat(user.status()).as(user.toString()).isEqualTo(201);
            asAdmin("POST", "/api/v1/organizations/" + id + "/onboarding/complete", null);
            ids.add(id);
        }
        List<Long> indexes = new ArrayList<>();
        long head;
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT global_index FROM domain_event_entry "
                     + "WHERE aggregate_identifier = ANY (?) ORDER BY global_index")) {
            s.setArray(1, c.createArrayOf("varchar", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    indexes.add(rs.getLong(1));
                }
            }
            head = number(c, "SELECT max(global_index) FROM domain_event_entry");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> chainHead() >= head);
        return new Events(indexes, indexes.get(0), head);
    }

    private JsonNode verify(Long from, Long to) {
        StringBuilder path = new StringBuilder("/api/v1/audit/verify");
        if (from != null) {
            path.append("?from=").append(from).append(to != null ? "&to=" + to : "");
        }
        Api.Response response = asAdmin("GET", path.toString(), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static void assertMismatch(JsonNode result, long position, String reason) {
        assertThat(result.get("verified").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.get("firstMismatch").get("position").asLong()).as(result.toString()).isEqualTo(position);
        assertThat(result.get("firstMismatch").get("reason").asText()).as(result.toString()).isEqualTo(reason);
    }

    private JsonNode findCheckpoint(long id) {
        String cursor = null;
        do {
            Api.Response response = asAdmin("GET", "/api/v1/audit/checkpoints?limit=200"
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode page = response.json();
            for (JsonNode item : page.get("items")) {
                if (item.get("id").asLong() == id) {
                    return Api.JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("page", page)
                            .set("checkpoint", item);
                }
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        throw new AssertionError("Checkpoint " + id + " is not listed");
    }

    private List<Long> eventsOf(String aggregate) throws SQLException {
        List<Long> indexes = new ArrayList<>();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT global_index FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY global_index")) {
            s.setString(1, aggregate);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    indexes.add(rs.getLong(1));
                }
            }
        }
        return indexes;
    }

    /** True while a session waits for a SHARE lock on the event table (the chain settling a gap). */
    private boolean chainWaitsForWriters() throws SQLException {
        try (Connection c = database.connect()) {
            return number(c, "SELECT count(*) FROM pg_locks WHERE relation = 'domain_event_entry'::regclass "
                    + "AND mode = 'ShareLock' AND NOT granted") > 0;
        }
    }

    private boolean linkExists(long position) throws SQLException {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM event_chain WHERE global_index = ?")) {
            s.setLong(1, position);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private long afterCheckpointsOfOtherKeys() throws SQLException {
        String keyId = asAdmin("GET", "/api/v1/audit/checkpoints?limit=1", null).json().get("keyId").asText();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "SELECT coalesce(max(position) + 1, 0) FROM audit_checkpoints WHERE key_id <> ?")) {
            s.setString(1, keyId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long chainHead() throws SQLException {
        try (Connection c = database.connect()) {
            return number(c, "SELECT coalesce(max(global_index), 0) FROM event_chain");
        }
    }

    private long countEvents(long from, long to) throws SQLException {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "SELECT count(*) FROM domain_event_entry WHERE global_index BETWEEN ? AND ?")) {
            s.setLong(1, from);
            s.setLong(2, to);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private byte[] linkAt(long position) throws SQLException {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT link FROM event_chain WHERE global_index = ?")) {
            s.setLong(1, position);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBytes(1);
            }
        }
    }

    private static byte[] linkBefore(Connection c, long position) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT link FROM event_chain WHERE global_index < ? ORDER BY global_index DESC LIMIT 1")) {
            s.setLong(1, position);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : new byte[32];
            }
        }
    }

    private byte[] column(long globalIndex, String column) throws SQLException {
        return (byte[]) row(globalIndex).get(column);
    }

    private Map<String, Object> row(long globalIndex) throws SQLException {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT * FROM domain_event_entry WHERE global_index = ?")) {
            s.setLong(1, globalIndex);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                return row;
            }
        }
    }

    private void insert(Map<String, Object> row) throws SQLException {
        String columns = String.join(", ", row.keySet());
        String values = String.join(", ", row.keySet().stream().map(k -> "?").toList());
        execute("INSERT INTO domain_event_entry (" + columns + ") VALUES (" + values + ")", row.values().toArray());
    }

    private void swapGlobalIndexes(long first, long second) throws SQLException {
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            execute(c, "UPDATE domain_event_entry SET global_index = ? WHERE global_index = ?", -first, first);
            execute(c, "UPDATE domain_event_entry SET global_index = ? WHERE global_index = ?", first, second);
            execute(c, "UPDATE domain_event_entry SET global_index = ? WHERE global_index = ?", second, -first);
            c.commit();
        }
    }

    /** Puts row b's identity and content at position first and row a's at position second. */
    private void swapContents(long first, Map<String, Object> a, long second, Map<String, Object> b) throws SQLException {
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            String update = "UPDATE domain_event_entry SET event_identifier = ?, aggregate_identifier = ?, "
                    + "sequence_number = ?, type = ?, payload_type = ?, payload_revision = ?, payload = ?, "
                    + "meta_data = ?, time_stamp = ? WHERE global_index = ?";
            execute(c, "UPDATE domain_event_entry SET event_identifier = event_identifier || '-moving', "
                    + "sequence_number = -1 - sequence_number WHERE global_index IN (?, ?)", first, second);
            execute(c, update, contents(b, first));
            execute(c, update, contents(a, second));
            c.commit();
        }
    }

    private static Object[] contents(Map<String, Object> row, long at) {
        return new Object[]{row.get("event_identifier"), row.get("aggregate_identifier"), row.get("sequence_number"),
                row.get("type"), row.get("payload_type"), row.get("payload_revision"), row.get("payload"),
                row.get("meta_data"), row.get("time_stamp"), at};
    }

    private void execute(String sql, Object... params) throws SQLException {
        try (Connection c = database.connect()) {
            execute(c, sql, params);
        }
    }

    private static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            assertThat(s.executeUpdate()).as(sql).isPositive();
        }
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static byte[] replaceFirst(byte[] bytes, String what, String with) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).contains(what);
        return text.replaceFirst(java.util.regex.Pattern.quote(what), with).getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The link of a domain_event_entry row after {@code previous}, computed independently of the server. */
    private static byte[] link(byte[] previous, ResultSet rs) throws SQLException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previous);
            sha.update(canonical(rs.getString("event_identifier"), rs.getString("aggregate_identifier"),
                    rs.getLong("sequence_number"), rs.getString("type"), rs.getString("payload_type"),
                    rs.getString("payload_revision"), rs.getBytes("payload"), rs.getBytes("meta_data"),
                    rs.getString("time_stamp")));
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each field as a 4-byte big-endian length (-1 for NULL) and its bytes; texts UTF-8, the sequence 8 bytes. */
    static byte[] canonical(String eventIdentifier, String aggregateIdentifier, long sequenceNumber, String type,
                            String payloadType, String payloadRevision, byte[] payload, byte[] metaData,
                            String timeStamp) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            field(out, utf8(eventIdentifier));
            field(out, utf8(aggregateIdentifier));
            out.writeInt(8);
            out.writeLong(sequenceNumber);
            field(out, utf8(type));
            field(out, utf8(payloadType));
            field(out, utf8(payloadRevision));
            field(out, payload);
            field(out, metaData);
            field(out, utf8(timeStamp));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void field(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
