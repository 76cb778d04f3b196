package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.io.OutputStream;

/** Bodies over 1 MiB answer 413, whether announced by Content-Length or discovered while streaming. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BodySizeLimitFilter extends OncePerRequestFilter {

    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** A body over the limit is still read (and dropped) up to this size, so that its 413 reaches the client. */
    public static final int SWALLOW_BYTES = 2 * 1024 * 1024;

    private final ObjectMapper json;

    public BodySizeLimitFilter(ObjectMapper json) {
        this.json = json;
    }

    /** Thrown while reading a body that grows past the limit; mapped to 413. */
    public static class PayloadTooLarge extends IOException {
        public PayloadTooLarge() {
            super("The request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            if (request.getContentLengthLong() <= SWALLOW_BYTES) {
                // read and drop it first: a connection closed with unread bytes is reset, and the client would
                // lose this answer (Tomcat swallowed up to 2 MiB by itself; Jetty does not)
                request.getInputStream().transferTo(OutputStream.nullOutputStream());
            }
            Problems.write(request, response, json, Problems.of(HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "The request body exceeds " + MAX_BODY_BYTES + " bytes"));
            return;
        }
        try {
            chain.doFilter(new LimitedRequest(request), response);
        } finally {
            if (!request.isAsyncStarted()) {
                dropUnread(request);
            }
        }
    }

    /**
     * Reads and drops what an answer left of the request body (up to {@link #SWALLOW_BYTES}), as Tomcat did by
     * itself: Jetty closes a connection whose request body was not read, and a client that already sent its next
     * request on that keep-alive connection (e.g. after a 400 for a bad path) gets no answer at all.
     */
    private static void dropUnread(HttpServletRequest request) {
        if (request.getContentLengthLong() == 0 || (request.getContentLengthLong() < 0
                && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null)) {
            return;
        }
        try {
            ServletInputStream in = request.getInputStream();
            byte[] buffer = new byte[8192];
            long dropped = 0;
            for (int n; dropped <= SWALLOW_BYTES && !in.isFinished() && (n = in.read(buffer)) != -1; ) {
                dropped += n;
            }
        } catch (IOException | IllegalStateException ignored) {
            // read through getReader(), or the client went away: nothing to keep the connection for
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private ServletInputStream limited;

        LimitedRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (limited == null) {
                limited = new LimitedStream(super.getInputStream());
            }
            return limited;
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream in;
        private long read;

        LimitedStream(ServletInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws PayloadTooLarge {
            read += n;
            if (read > MAX_BODY_BYTES) {
                throw new PayloadTooLarge();
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
