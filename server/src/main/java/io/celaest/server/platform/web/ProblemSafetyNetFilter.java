package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * The outermost filter: what a filter or a plain servlet throws (the MVC controllers have {@link ProblemHandler})
 * still answers as a problem document, instead of the servlet container's error page. A database that cannot be
 * reached is 503 with {@code Retry-After}; anything else is 500 without its text (both as {@link ProblemHandler}
 * answers them).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemSafetyNetFilter extends OncePerRequestFilter {

    private final ObjectMapper json;
    private final ProblemHandler problems;

    public ProblemSafetyNetFilter(ObjectMapper json, ProblemHandler problems) {
        this.json = json;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException failure) {
            if (response.isCommitted() || (failure instanceof IOException && !DatabaseUnavailable.causes(failure))) {
                throw failure;                                // too late to answer, or the client went away
            }
            response.reset();
            ProblemHandler.write(request, response, json, problems.unexpected(failure));
        }
    }
}
