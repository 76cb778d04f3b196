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
    public static final String VALIDATION_RETENTION = "license-validation-retention";

    @Bean
    public RecurringTask<Void> releaseStaleBindings(StaleBindingSweeper sweeper,
                                                    @Value("${celaest.licensing.binding-sweep-interval:10m}") Duration every) {
        return Tasks.recurring(RELEASE_STALE_BINDINGS, FixedDelay.of(every))
                .execute((instance, context) -> sweeper.sweep(Instant.now()));
    }

    /** Days of license_validations prepared ahead, expired days dropped (hourly: a missed run is harmless). */
    @Bean
    public RecurringTask<Void> licenseValidationRetention(ValidationRetention retention,
                                                          @Value("${celaest.licensing.validation-partition-check:1h}") Duration every) {
        return Tasks.recurring(VALIDATION_RETENTION, FixedDelay.of(every))
                .execute((instance, context) -> retention.run(Instant.now()));
    }
}
