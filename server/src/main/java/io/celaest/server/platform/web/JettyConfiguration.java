package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The embedded Jetty: client IPs through {@link TrustedProxies} on every connector, and the Jetty core handlers
 * declared as beans ({@link Handler.Wrapper}s, e.g. the license validation hot path) in front of the servlet
 * context, in their {@code @Order}. Such a handler serves its own paths and passes every other request on.
 * Errors Jetty answers by itself are problem documents ({@link ProblemErrorHandler}), and TRACE is refused.
 */
@Configuration
public class JettyConfiguration {

    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> celaestJetty(
            @Value("${celaest.web.trusted-proxies:}") String trustedProxies,
            ObjectProvider<Handler.Wrapper> aheadOfServlets, ObjectMapper json) {
        TrustedProxies proxies = new TrustedProxies(trustedProxies);
        return factory -> factory.addServerCustomizers(server -> {
            server.setErrorHandler(new ProblemErrorHandler(json));
            for (Connector connector : server.getConnectors()) {
                HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                if (http != null) {
                    http.getHttpConfiguration().addCustomizer(proxies);
                }
            }
            List<Handler.Wrapper> handlers = aheadOfServlets.orderedStream().toList();
            for (int i = handlers.size() - 1; i >= 0; i--) {
                Handler.Wrapper handler = handlers.get(i);
                handler.setHandler(server.getHandler());
                server.setHandler(handler);
            }
            Handler.Wrapper guard = new ProblemErrorHandler.RequestGuard();
            guard.setHandler(server.getHandler());
            server.setHandler(guard);
        });
    }
}
