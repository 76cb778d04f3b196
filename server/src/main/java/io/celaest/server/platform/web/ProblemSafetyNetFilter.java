package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * The outermost filter: what a filter or a plain servlet throws (the MVC controllers have {@link ProblemHandler})
 * still answers as a problem document, instead of the servlet container's error page. A database that cannot be
 * reached is 503 with {@code Retry-After}; anything else is 500 without its text.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemSafetyNetFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ProblemSafetyNetFilter.class);

    private final ObjectMapper json;

    public ProblemSafetyNetFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException failure) {
            if (response.isCommitted()) {
                throw failure;
            }
            response.reset();
            if (DatabaseUnavailable.causes(failure)) {
                log.warn("{} {}: the database cannot be reached ({})", request.getMethod(), request.getRequestURI(),
                        failure.toString());
                response.setHeader(HttpHeaders.RETRY_AFTER, DatabaseUnavailable.RETRY_AFTER_SECONDS);
                Problems.write(response, json, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                        "The database cannot be reached; retry later"));
            } else if (failure instanceof IOException) {
                throw failure;                                // the client went away: nothing to answer
            } else {
                log.error("{} {} failed", request.getMethod(), request.getRequestURI(), failure);
                Problems.write(response, json, Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                        "Something went wrong on our side; the correlation id identifies it in the logs"));
            }
        }
    }
}
