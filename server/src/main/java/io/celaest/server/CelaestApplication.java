package io.celaest.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The CELAEST server: command side, projections and query side in one process (roles can be switched off). */
@SpringBootApplication(scanBasePackages = "io.celaest")
@EnableScheduling
public class CelaestApplication {

    public static void main(String[] args) {
        // Axon phones home for update checks; this machine and many customer networks have no such route.
        System.setProperty("axon.update-check.disabled", "true");
        SpringApplication.run(CelaestApplication.class, args);
    }
}
