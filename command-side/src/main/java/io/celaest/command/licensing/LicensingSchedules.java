package io.celaest.command.licensing;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.time.Instant;

/** Recurring licensing jobs on db-scheduler (persistent, one node at a time). */
@Configuration(proxyBeanMethods = false)
public class LicensingSchedules {

    public static final String RELEASE_STALE_BINDINGS = "release-stale-bindings";

    @Bean
    public RecurringTask<Void> releaseStaleBindings(StaleBindingSweeper sweeper,
                                                    @Value("${celaest.licensing.binding-sweep-interval:10m}") Duration every) {
        return Tasks.recurring(RELEASE_STALE_BINDINGS, FixedDelay.of(every))
                .execute((instance, context) -> sweeper.sweep(Instant.now()));
    }
}
