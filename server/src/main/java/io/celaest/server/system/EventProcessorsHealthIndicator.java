package io.celaest.server.system;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Readiness includes the projections: every streaming processor runs and none is in error. It asks the processors
 * only, not the database (health shows no details, so their lag would be computed for nobody, and a probe while
 * PostgreSQL is down would wait for a connection a second time after the {@code db} check).
 */
@Component("eventProcessors")
public class EventProcessorsHealthIndicator extends AbstractHealthIndicator {

    private final ProjectionProgress progress;

    public EventProcessorsHealthIndicator(ProjectionProgress progress) {
        this.progress = progress;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean healthy = progress.processors().values().stream()
                .allMatch(processor -> processor.isRunning() && !processor.isError())
                && progress.subscribing().values().stream().allMatch(p -> p.isRunning() && !p.isError());
        builder.status(healthy ? Status.UP : Status.DOWN);
    }
}
