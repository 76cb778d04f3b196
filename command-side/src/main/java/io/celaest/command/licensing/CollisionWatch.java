package io.celaest.command.licensing;

import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.command.platform.RequestPathCaches;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The sliding window of IPs each license was used from. When more distinct IPs than {@code maxConcurrentIps}
 * used one license within {@code celaest.licensing.collision-window} (default 15 min), that is a collision: the IPs
 * seen first keep their place, later ones are the excess. The window lives in memory; an IP new to this node is
 * checked against the validations other nodes recorded in the window, so nodes see each other's IPs too.
 * <p>
 * A collision is reported (a {@code ReportCollision}) the first time in a window, and again whenever IPs not in
 * the last report have joined, at most once per {@code celaest.licensing.collision-report-interval} per node
 * (default 1 min): a key spreading to ever more machines adds collisions, so "suspend after N collisions" acts
 * within minutes, while a steady excess is not reported on every validation. Nodes report what they see; the
 * License drops a report whose IPs its open collisions already hold, so one spread counts once.
 */
@Component
public class CollisionWatch {

    /** A collision seen by this validation; {@code excess} is true when this IP is beyond the allowed count. */
    record Collision(List<String> ips, Instant windowStart, Instant windowEnd, boolean excess, boolean report) {
    }

    private static final class Window {
        final Map<String, Instant[]> ips = new HashMap<>(); // ip -> {first seen, last seen} within the window
        Instant lastReported;
        Set<String> reportedIps = Set.of();
    }

    private final JdbcClient jdbc;
    private final Duration window;
    private final Duration reportInterval;
    private final Cache<UUID, Window> windows;

    public CollisionWatch(JdbcClient jdbc, @Value("${celaest.licensing.collision-window:15m}") Duration window,
                          @Value("${celaest.licensing.collision-report-interval:1m}") Duration reportInterval) {
        this.jdbc = jdbc;
        this.window = window;
        this.reportInterval = reportInterval;
        this.windows = RequestPathCaches.newBuilder().expireAfterAccess(window.multipliedBy(2)).maximumSize(500_000).build();
    }

    Optional<Collision> observe(UUID licenseId, String ip, Instant now, int maxConcurrentIps) {
        if (maxConcurrentIps == -1) {
            return Optional.empty();
        }
        Window w = windows.get(licenseId, id -> new Window());
        Instant start = now.minus(window);
        boolean seenHere;
        synchronized (w) {
            w.ips.values().removeIf(seen -> seen[1].isBefore(start));
            seenHere = w.ips.containsKey(ip);
        }
        Map<String, Instant[]> elsewhere = seenHere ? Map.of() : recordedSince(licenseId, start);
        synchronized (w) {
            elsewhere.forEach((otherIp, seen) -> w.ips.merge(otherIp, seen, CollisionWatch::span));
            w.ips.merge(ip, new Instant[]{now, now}, CollisionWatch::span);
            if (w.ips.size() <= maxConcurrentIps) {
                return Optional.empty();
            }
            List<String> byFirstSeen = w.ips.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, Instant[]> e) -> e.getValue()[0])
                            .thenComparing(Map.Entry::getKey))
                    .map(Map.Entry::getKey)
                    .toList();
            boolean excess = byFirstSeen.indexOf(ip) >= maxConcurrentIps;
            Instant windowStart = w.ips.values().stream().map(seen -> seen[0]).min(Comparator.naturalOrder())
                    .orElse(now);
            boolean report = w.lastReported == null || w.lastReported.isBefore(start)
                    || (!w.reportedIps.containsAll(w.ips.keySet())
                        && !w.lastReported.isAfter(now.minus(reportInterval)));
            if (report) {
                w.lastReported = now;
                w.reportedIps = Set.copyOf(w.ips.keySet());
            }
            return Optional.of(new Collision(byFirstSeen.stream().sorted().toList(), windowStart, now, excess,
                    report));
        }
    }

    private Map<String, Instant[]> recordedSince(UUID licenseId, Instant start) {
        Map<String, Instant[]> seen = new HashMap<>();
        jdbc.sql("""
                        SELECT ip, min(validated_at) AS first_seen, max(validated_at) AS last_seen
                          FROM license_validations
                         WHERE license_id = ? AND validated_at >= ? AND valid
                         GROUP BY ip""")
                .params(licenseId, Timestamp.from(start))
                .query(rs -> {
                    seen.put(rs.getString("ip"), new Instant[]{rs.getTimestamp("first_seen").toInstant(),
                            rs.getTimestamp("last_seen").toInstant()});
                });
        return seen;
    }

    private static Instant[] span(Instant[] a, Instant[] b) {
        return new Instant[]{a[0].isBefore(b[0]) ? a[0] : b[0], a[1].isAfter(b[1]) ? a[1] : b[1]};
    }
}
