package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.server.audit.FailureAuditor;
import io.celaest.server.system.SystemEvents;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * What a filter or a plain servlet throws still answers as a problem document, and a database that cannot be
 * reached (Hikari's timeout, a refused connection, PostgreSQL shutting down) is a 503 the client may retry.
 */
class ProblemSafetyNetFilterTest {

    private final ObjectMapper json = org.springframework.http.converter.json.Jackson2ObjectMapperBuilder.json().build();
    private final ProblemSafetyNetFilter filter = new ProblemSafetyNetFilter(json,
            new ProblemHandler(mock(FailureAuditor.class), mock(SystemEvents.class)));

    @Test
    void aDatabaseThatCannotBeReachedIs503WithRetryAfter() throws Exception {
        for (RuntimeException down : new RuntimeException[]{
                new CannotGetJdbcConnectionException("no connection",
                        new SQLTransientConnectionException("HikariPool-1 - Connection is not available")),
                new IllegalStateException("wrapped", new PSQLException("the database system is shutting down",
                        PSQLState.CONNECTION_FAILURE))}) {
            MockHttpServletResponse response = run(down);
            assertThat(response.getStatus()).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("5");
            assertThat(response.getContentType()).startsWith("application/problem+json");
            assertThat(json.readTree(response.getContentAsString()).path("code").asText())
                    .isEqualTo("DATABASE_UNAVAILABLE");
        }
    }

    @Test
    void anyOtherFailureIsA500ProblemWithoutItsText() throws Exception {
        MockHttpServletResponse response = run(new IllegalStateException("secret internals"));
        assertThat(response.getStatus()).isEqualTo(500);
        JsonNode problem = json.readTree(response.getContentAsString());
        assertThat(problem.path("code").asText()).isEqualTo("INTERNAL_ERROR");
        assertThat(response.getContentAsString()).doesNotContain("secret internals");
    }

    private MockHttpServletResponse run(RuntimeException failure) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain failing = (request, answer) -> {
            throw failure;
        };
        filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/organizations"), response, failing);
        return response;
    }
}
