package io.celaest.server.platform.web;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client IP of every request (API and license validation alike): the connection's peer, unless that peer is
 * one of the trusted proxies ({@code CELAEST_TRUSTED_PROXIES}, a regular expression of addresses), in which case
 * {@code X-Forwarded-For} is read from the right, skipping trusted proxies, and the first other address is the
 * client's. A Jetty request customizer, so the servlet API and the core handlers see the same address. Jetty's own
 * {@code ForwardedRequestCustomizer} believes the header from anyone, which would let any caller choose its IP.
 * Addresses are reported as Tomcat did before: a forwarded one as the proxy wrote it, a connection's IPv6 address
 * in Java's form without brackets.
 */
public final class TrustedProxies implements HttpConfiguration.Customizer {

    private final Pattern trusted;

    /** @param trusted a regular expression of trusted proxy addresses; blank trusts none */
    public TrustedProxies(String trusted) {
        this.trusted = trusted == null || trusted.isBlank() ? null : Pattern.compile(trusted);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress connection) || connection.getAddress() == null) {
            return request;
        }
        InetAddress peer = connection.getAddress();
        if (trusted != null && isTrusted(peer.getHostAddress())) {
            // every X-Forwarded-For line, in order: a proxy may add a line of its own instead of appending
            List<String> lines = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
            String claimed = lines.isEmpty() ? null : clientOf(String.join(",", lines));
            if (literal(claimed) != null) {
                return withClient(request, claimed, connection.getPort());   // as the proxy wrote it
            }
        }
        return peer instanceof Inet4Address ? request : withClient(request, peer.getHostAddress(), connection.getPort());
    }

    /**
     * The request as coming from that address. An unresolved socket address, so that Jetty reports the address as
     * it is written (an IPv6 one without brackets, as in the audit trail and the license bindings).
     */
    private static Request withClient(Request request, String client, int port) {
        SocketAddress remote = InetSocketAddress.createUnresolved(client, port);
        ConnectionMetaData connection = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return remote;
            }
        };
        return new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return connection;
            }
        };
    }

    boolean isTrusted(String address) {
        return trusted != null && address != null && trusted.matcher(address).matches();
    }

    /** The right-most address that is not a trusted proxy; the left-most when all are. */
    String clientOf(String forwardedFor) {
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!isTrusted(hop) || i == 0) {
                return hop.isEmpty() ? null : hop;
            }
        }
        return null;
    }

    /** The address when the text is an IP literal; null otherwise (never a DNS lookup for a header's value). */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        boolean v4 = !text.isEmpty() && text.length() <= 15;
        boolean v6 = text.indexOf(':') >= 0 && text.length() <= 45;
        for (int i = 0; i < text.length() && (v4 || v6); i++) {
            char c = text.charAt(i);
            v4 &= (c >= '0' && c <= '9') || c == '.';
            v6 &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        }
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(v6 && !text.startsWith("[") ? "[" + text + "]" : text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
