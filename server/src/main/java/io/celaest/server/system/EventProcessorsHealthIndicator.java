package io.celaest.server.system;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/** Readiness includes the projections: every streaming processor runs and none is in error. */
@Component("eventProcessors")
public class EventProcessorsHealthIndicator extends AbstractHealthIndicator {

    private final ProjectionProgress progress;

    public EventProcessorsHealthIndicator(ProjectionProgress progress) {
        this.progress = progress;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean healthy = true;
        for (ProjectionProgress.ProcessorStatus status : progress.status()) {
            healthy &= status.running() && !status.error();
            builder.withDetail(status.name(), java.util.Map.of("running", status.running(), "error", status.error(),
                    "lag", status.lag() == null ? "unknown" : status.lag()));
        }
        builder.status(healthy ? org.springframework.boot.actuate.health.Status.UP
                : org.springframework.boot.actuate.health.Status.DOWN);
    }
}
