package io.celaest.server.platform;

import io.celaest.command.licensing.License;
import io.celaest.server.platform.axon.AxonConfiguration;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A License's collision state (a map of records) survives its snapshot: what the snapshot serializer writes, it
 * reads back field for field ({@link AggregateSnapshotTest} covers a license without collisions end to end).
 */
class LicenseSnapshotStateTest {

    @Test
    void openCollisionsRoundTrip() throws Exception {
        Constructor<License> create = License.class.getDeclaredConstructor();
        create.setAccessible(true);
        License license = create.newInstance();
        UUID collision = UUID.randomUUID();
        set(license, "id", UUID.randomUUID());
        set(license, "openCollisions", new java.util.HashSet<>(Set.of(collision)));
        set(license, "openSinceReinstated", new java.util.HashSet<>(Set.of(collision)));
        Class<?> reported = Class.forName(License.class.getName() + "$ReportedCollision");
        Constructor<?> record = reported.getDeclaredConstructor(List.class, Instant.class);
        record.setAccessible(true);
        Map<UUID, Object> open = new HashMap<>();
        open.put(collision, record.newInstance(List.of("10.0.0.1", "10.0.0.2"), Instant.parse("2026-01-01T00:00:00Z")));
        set(license, "openCollisionIps", open);

        Serializer snapshots = new AxonConfiguration().snapshotSerializer();
        SerializedObject<byte[]> written = snapshots.serialize(license, byte[].class);
        License read = snapshots.deserialize(written);

        assertThat(read).usingRecursiveComparison().isEqualTo(license);
        assertThat(new String(written.getData())).contains("10.0.0.2");
    }

    private static void set(Object target, String name, Object value) throws Exception {
        Field field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        field.set(target, value);
    }
}
