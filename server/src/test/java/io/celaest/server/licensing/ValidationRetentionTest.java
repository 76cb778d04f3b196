package io.celaest.server.licensing;

import io.celaest.command.licensing.ValidationRetention;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** license_validations is partitioned by day: days ahead are prepared, stray rows moved in, expired days dropped. */
class ValidationRetentionTest extends LicensingTestSupport {

    @Autowired
    ValidationRetention retention;

    @Test
    void daysArePreparedAheadStrayRowsMoveInAndExpiredDaysAreDropped() throws Exception {
        Instant now = Instant.now();
        retention.run(now);
        for (int ahead = -1; ahead <= 14; ahead++) {
            assertThat(partitionExists(day(now.plus(Duration.ofDays(ahead))))).as("day %d", ahead).isTrue();
        }

        // a real validation lands in today's partition
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        assertThat(code(validate("127.0.9.1", license.key(), null, null))).isEqualTo("VALID");
        assertThat(partitionsOf(UUID.fromString(license.id()))).containsOnly(partition(day(now)));

        // rows of days nobody prepared go to the default partition instead of failing
        UUID old = insert(now.minus(Duration.ofDays(100)));
        UUID ancient = insert(now.minus(Duration.ofDays(200)));
        UUID future = insert(now.plus(Duration.ofDays(30)));
        assertThat(partitionsOf(old)).containsOnly("license_validations_default");
        assertThat(partitionsOf(future)).containsOnly("license_validations_default");

        // as the job ran 100 days ago: that day is created with its stray row moved in; 200 days is past retention
        ValidationRetention.Outcome then = retention.run(now.minus(Duration.ofDays(100)));
        assertThat(partitionsOf(old)).containsOnly(partition(day(now.minus(Duration.ofDays(100)))));
        assertThat(partitionsOf(ancient)).isEmpty();
        assertThat(then.expiredStrayRows()).isGreaterThanOrEqualTo(1);

        // as the job will run in 25 days: day +30 gets its row, and everything older than 90 days before that goes
        ValidationRetention.Outcome later = retention.run(now.plus(Duration.ofDays(25)));
        assertThat(partitionsOf(future)).containsOnly(partition(day(now.plus(Duration.ofDays(30)))));
        assertThat(partitionsOf(old)).isEmpty();
        assertThat(partitionExists(day(now.minus(Duration.ofDays(100))))).isFalse();
        assertThat(later.dropped()).contains(day(now.minus(Duration.ofDays(100))));
        assertThat(partitionsOf(UUID.fromString(license.id()))).containsOnly(partition(day(now)));

        // the Licensing Hub still lists the license's validations through the partitioned table
        assertThat(get(tenant.key(), "/api/v1/licenses/" + license.id() + "/validations").path("items")).hasSize(1);
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    private static String partition(LocalDate day) {
        return "license_validations_d" + DateTimeFormatter.BASIC_ISO_DATE.format(day);
    }

    private boolean partitionExists(LocalDate day) throws SQLException {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, partition(day));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The partitions holding rows of that license (or with that row id). */
    private java.util.List<String> partitionsOf(UUID id) throws SQLException {
        java.util.List<String> found = new java.util.ArrayList<>();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "SELECT tableoid::regclass::text FROM license_validations WHERE license_id = ? OR id = ?")) {
            s.setObject(1, id);
            s.setObject(2, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    private UUID insert(Instant at) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("INSERT INTO license_validations "
                     + "(id, license_id, organization_id, validated_at, ip, code, valid) VALUES (?, ?, ?, ?, '127.0.0.9', 'VALID', true)")) {
            s.setObject(1, id);
            s.setObject(2, UUID.randomUUID());
            s.setObject(3, UUID.randomUUID());
            s.setTimestamp(4, Timestamp.from(at));
            s.executeUpdate();
        }
        return id;
    }
}
