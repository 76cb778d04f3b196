package io.celaest.server.support;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The event log as PostgreSQL stores it, read directly: what erasure and tamper-evidence tests look at. */
public final class StoredEvents {

    private StoredEvents() {
    }

    /** How many stored events hold these bytes anywhere in their metadata or payload. */
    public static long containing(TestDatabase database, String text) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM domain_event_entry WHERE position(?::bytea IN meta_data) > 0 "
                        + "OR position(?::bytea IN payload) > 0")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            s.setBytes(1, bytes);
            s.setBytes(2, bytes);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Each stored event of one aggregate as its metadata and payload bytes, in sequence order. */
    public static List<byte[]> bytesOf(TestDatabase database, String aggregateId) throws SQLException {
        return rows(database, "SELECT meta_data || payload FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "ORDER BY sequence_number", aggregateId, rs -> rs.getBytes(1));
    }

    /** One row of a result, read into a value. */
    public interface Row<T> {
        T read(ResultSet rs) throws Exception;
    }

    /** Every row of a query with one text parameter, each read by {@code row}. */
    public static <T> List<T> rows(TestDatabase database, String sql, String parameter, Row<T> row)
            throws SQLException {
        List<T> values = new ArrayList<>();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(row.read(rs));
                }
            }
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Could not read a row of " + sql, e);
        }
        return values;
    }

    /** The first column of the first row of a query returning one number. */
    public static long number(TestDatabase database, String sql) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
