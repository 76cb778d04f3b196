package io.celaest.server.platform.web;

import io.celaest.api.platform.Instants;
import io.celaest.server.platform.security.CallerArgumentResolver;
import org.springframework.context.annotation.Configuration;
import org.springframework.format.Formatter;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

@Configuration
public class WebConfiguration implements WebMvcConfigurer {

    private final CallerArgumentResolver callerArgumentResolver;

    public WebConfiguration(CallerArgumentResolver callerArgumentResolver) {
        this.callerArgumentResolver = callerArgumentResolver;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(callerArgumentResolver);
    }

    /**
     * Instants in query parameters are ISO-8601 date-times with an offset, never epoch numbers, and are clamped to
     * {@link Instants#RANGE}: they bound filters, and a bound of year 300000 selects the same rows as one of 9999
     * (PostgreSQL would reject it). Registered last, so it also wins over {@code @DateTimeFormat}.
     */
    @Override
    public void addFormatters(FormatterRegistry registry) {
        registry.addFormatter(new Formatter<Instant>() {
            @Override
            public Instant parse(String text, Locale locale) {
                return Instants.clamped(Instants.parse(text));
            }

            @Override
            public String print(Instant instant, Locale locale) {
                return instant.toString();
            }
        });
    }
}
