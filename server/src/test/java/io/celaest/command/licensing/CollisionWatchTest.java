package io.celaest.command.licensing;

import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a collision is reported: once per window for a steady excess, and again as more IPs join, at most once per
 * report interval, so a key spreading to ever more machines reaches "suspend after N collisions" within minutes.
 */
class CollisionWatchTest extends PlatformTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aGrowingCollisionIsReportedAgainAtMostOncePerIntervalASteadyOneOncePerWindow() {
        CollisionWatch watch = new CollisionWatch(jdbc, Duration.ofMinutes(15), Duration.ofMinutes(1));
        UUID license = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

        assertThat(watch.observe(license, "10.0.0.1", t0, 2)).isEmpty();
        assertThat(watch.observe(license, "10.0.0.2", t0.plusSeconds(1), 2)).isEmpty();
        assertThat(reported(watch.observe(license, "10.0.0.3", t0.plusSeconds(2), 2))).as("first excess").isTrue();
        assertThat(reported(watch.observe(license, "10.0.0.4", t0.plusSeconds(30), 2)))
                .as("grown, but within the interval").isFalse();
        assertThat(reported(watch.observe(license, "10.0.0.1", t0.plusSeconds(70), 2)))
                .as("grown since the report (10.0.0.4), a minute later").isTrue();
        assertThat(reported(watch.observe(license, "10.0.0.3", t0.plusSeconds(200), 2)))
                .as("no new IP: a steady excess").isFalse();
        Optional<CollisionWatch.Collision> fifth = watch.observe(license, "10.0.0.5", t0.plusSeconds(260), 2);
        assertThat(reported(fifth)).as("a new IP, a minute after the last report").isTrue();
        assertThat(fifth.orElseThrow().ips()).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
                "10.0.0.5");
        assertThat(fifth.orElseThrow().excess()).isTrue();
    }

    @Test
    void newIpsReplacingOldOnesAtASteadyCountAreReportedToo() {
        CollisionWatch watch = new CollisionWatch(jdbc, Duration.ofMinutes(15), Duration.ofMinutes(1));
        UUID license = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        watch.observe(license, "10.0.1.1", t0, 2);
        watch.observe(license, "10.0.1.2", t0, 2);
        assertThat(reported(watch.observe(license, "10.0.1.3", t0.plusSeconds(60), 2))).isTrue();
        // 10.0.1.1 and .2 leave the window (last seen at t0); .4 and .5 join: still three IPs, two of them new
        Instant later = t0.plus(Duration.ofMinutes(15)).plusSeconds(30);
        assertThat(reported(watch.observe(license, "10.0.1.3", later.minusSeconds(1), 2))).isFalse();
        Optional<CollisionWatch.Collision> churned = watch.observe(license, "10.0.1.4", later, 2);
        assertThat(churned).isEmpty();                           // .3 and .4: within the allowed two
        Optional<CollisionWatch.Collision> fifth = watch.observe(license, "10.0.1.5", later.plusSeconds(1), 2);
        assertThat(reported(fifth)).as("the IPs of the last report are not these").isTrue();
        assertThat(fifth.orElseThrow().ips()).containsExactly("10.0.1.3", "10.0.1.4", "10.0.1.5");
    }

    private static boolean reported(Optional<CollisionWatch.Collision> collision) {
        return collision.map(CollisionWatch.Collision::report).orElse(false);
    }
}
