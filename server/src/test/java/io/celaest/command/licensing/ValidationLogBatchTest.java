package io.celaest.command.licensing;

import io.celaest.api.platform.TimeOrderedIds;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A batch of validations is written in autocommit mode as one JDBC batch, which the driver splits into several
 * multi-row INSERTs (16 + 4 + 1 rows for 21): they must still commit together or not at all, since the whole
 * batch's answers depend on it.
 */
class ValidationLogBatchTest extends PlatformTest {

    @Autowired
    ValidationLog validationLog;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aBatchCommitsWhole() {
        List<ValidationLog.Pending> batch = batch(21, false);
        validationLog.write(batch);
        assertThat(stored(batch)).isEqualTo(21);
    }

    @Test
    void aBatchWithOneBadRowStoresNothing() {
        List<ValidationLog.Pending> batch = batch(21, true);        // the last row (its own INSERT) has no code
        assertThatThrownBy(() -> validationLog.write(batch)).hasMessageContaining("code");
        assertThat(stored(batch)).isZero();
    }

    private List<ValidationLog.Pending> batch(int size, boolean lastBad) {
        Instant now = Instant.now();
        List<ValidationLog.Pending> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String code = lastBad && i == size - 1 ? null : "NOT_FOUND";
            batch.add(new ValidationLog.Pending(new ValidationLog.Entry(TimeOrderedIds.next(), null, null, now,
                    "127.0.0.1", null, null, code, false, null), new CompletableFuture<>(), System.nanoTime()));
        }
        return batch;
    }

    private int stored(List<ValidationLog.Pending> batch) {
        UUID[] ids = batch.stream().map(p -> p.entry().id()).toArray(UUID[]::new);
        return jdbc.queryForObject("SELECT count(*) FROM license_validations WHERE id = ANY (?)", Integer.class,
                (Object) ids);
    }
}
