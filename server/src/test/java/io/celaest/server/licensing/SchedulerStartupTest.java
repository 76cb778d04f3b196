package io.celaest.server.licensing;

import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerStarter;
import com.github.kagkarlsson.scheduler.boot.config.startup.ContextReadyStart;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * db-scheduler starts polling only when the context is ready. Started earlier, a license deadline already due at
 * start (it expired while the node was down) ran before Axon's deadline manager bean existed, failed with
 * NoSuchBeanDefinitionException and waited for its retry, minutes later.
 */
class SchedulerStartupTest extends PlatformTest {

    @Autowired
    DbSchedulerStarter starter;

    @Test
    void theSchedulerWaitsForTheContext() {
        assertThat(starter).isInstanceOf(ContextReadyStart.class);
    }
}
