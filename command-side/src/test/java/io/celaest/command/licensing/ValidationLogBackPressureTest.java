package io.celaest.command.licensing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The validation log's answers when it cannot write: stopped, or so far behind that its queue is full (then at once,
 * so the endpoint answers 503 instead of holding requests), and whatever is queued when it stops. No database is
 * reached: the log runs without writer threads, so nothing is ever taken from its queue.
 */
class ValidationLogBackPressureTest {

    @Test
    void aFullQueueFailsAtOnceAndStoppingFailsWhatNobodyWillTake() throws Exception {
        ValidationLog log = new ValidationLog(new JdbcTemplate(), new DataSourceTransactionManager(),
                new SimpleMeterRegistry(), 0, 500, 2);
        assertFailed(log.record(entry()), "stopped");

        log.start();
        CompletableFuture<Void> first = log.record(entry());
        CompletableFuture<Void> second = log.record(entry());
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertFailed(log.record(entry()), "behind");

        log.stop();
        assertFailed(first, "stopped");
        assertFailed(second, "stopped");
        assertFailed(log.record(entry()), "stopped");
    }

    private static void assertFailed(CompletableFuture<Void> recorded, String because) {
        assertThatThrownBy(() -> recorded.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining(because);
    }

    private static ValidationLog.Entry entry() {
        return new ValidationLog.Entry(UUID.randomUUID(), null, null, Instant.now(), "127.0.0.1", null, null,
                "NOT_FOUND", false, null);
    }
}
