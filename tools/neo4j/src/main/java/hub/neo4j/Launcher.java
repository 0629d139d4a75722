package hub.neo4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.server.configuration.ServerSettings;

/**
 * A Neo4j 5 community DBMS with its Bolt connector, for scripts/neo4j (CONTRACT.md, "A local Neo4j server").
 *
 * <p>{@code java -cp ... hub.neo4j.Launcher DIR}: the DBMS's home (data, logs) is DIR; Bolt listens on
 * 127.0.0.1 at {@code NEO4J_BOLT_PORT} (default 0: the system picks a free port), without TLS and without
 * authentication. Page cache from {@code NEO4J_PAGECACHE} (default 256m); the heap is the JVM's (-Xmx).
 *
 * <p>With {@code NEO4J_HTTP_PORT} set (0: a free port) the HTTP connector listens on 127.0.0.1 too, and Neo4j's
 * web server serves Neo4j Browser (the org.neo4j.client:neo4j-browser jar on the classpath) at /browser/; Bolt
 * and HTTP then advertise the ports actually bound, so the Browser's discovery request (GET /) names the Bolt
 * URL to connect to. Its URL goes to DIR/neo4j.browser.
 *
 * <p>Once a Bolt handshake on that port succeeds (and, with HTTP, the Browser's page answers) and the default
 * database is available, it writes the URL to DIR/neo4j.url (atomically: the file's presence means "ready")
 * and prints it as the last line on standard output. SIGTERM (or SIGINT) shuts the DBMS down cleanly and
 * removes DIR/neo4j.url and DIR/neo4j.browser.
 */
public final class Launcher {
    private static final long READY_TIMEOUT_MS = 120_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Launcher DIR");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path urlFile = home.resolve("neo4j.url");
        Path browserFile = home.resolve("neo4j.browser");
        Files.createDirectories(home);
        Files.deleteIfExists(urlFile);
        Files.deleteIfExists(browserFile);
        int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "0"));
        String httpSetting = env("NEO4J_HTTP_PORT", "");
        boolean http = !httpSetting.isEmpty();
        int httpPort = http ? Integer.parseInt(httpSetting) : 0;
        if (http) {
            // the Browser connects to the Bolt port the server advertises: advertise real ports, not 0
            port = port == 0 ? freePort() : port;
            httpPort = httpPort == 0 ? freePort() : httpPort;
        }
        long pageCache = ByteUnit.parse(env("NEO4J_PAGECACHE", "256m"));

        // SIGTERM / SIGINT: a clean shutdown (checkpoint); one during the start only exits, and the next start
        // recovers the store
        AtomicReference<DatabaseManagementService> started = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j: shutting down");
            try {
                Files.deleteIfExists(urlFile);
                Files.deleteIfExists(browserFile);
            } catch (IOException ignored) {
                // best effort: scripts/neo4j also removes it
            }
            DatabaseManagementService running = started.getAndSet(null);
            if (running != null) {
                running.shutdown();
            }
            System.out.println("neo4j: stopped");
            System.out.flush();
            stopped.countDown();
        }, "neo4j-shutdown"));

        long t0 = System.nanoTime();
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (http) {
            builder.setConfig(HttpConnector.enabled, true)
                    .setConfig(HttpConnector.listen_address, new SocketAddress("127.0.0.1", httpPort))
                    .setConfig(HttpConnector.advertised_address, new SocketAddress("127.0.0.1", httpPort))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    // the Browser sends no usage data, and its page may load nothing from outside (the shipped
                    // policy allows fonts.googleapis.com, cdn.segment.com, canny.io): it works on a closed network
                    .setConfig(ServerSettings.allow_telemetry, false)
                    .setConfig(ServerSettings.http_static_content_security_policy, String.join("; ",
                            "default-src 'self'", "script-src 'self'", "img-src 'self' data:",
                            "style-src 'self' 'unsafe-inline'", "font-src 'self'", "base-uri 'none'",
                            "object-src 'none'", "frame-ancestors 'none'",
                            "connect-src 'self' ws://127.0.0.1:* http://127.0.0.1:*"))
                    // the HTTP API answers scripts of the Browser's own page only, not of any web site
                    .setConfig(ServerSettings.http_access_control_allow_origin, "http://127.0.0.1:" + httpPort);
        }
        DatabaseManagementService dbms = builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                // no usage reports (there is no network here anyway), no 256 MB preallocated tx log per database
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // stop in about a second, not 10 s: Netty's quiet period (5 s, per event loop group) before Bolt
                // closes, and at most 10 s (not 5 min) for a client still in a transaction
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(10))
                .build();
        started.set(dbms);

        try {
            var system = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            int bolt = system.getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT)
                    .getPort();
            long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
            if (!dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).isAvailable(READY_TIMEOUT_MS)) {
                throw new IllegalStateException("the default database did not become available");
            }
            awaitBolt(bolt, deadline);
            String browser = null;
            if (http) {
                int httpBound = system.getDependencyResolver()
                        .resolveDependency(ConnectorPortRegister.class)
                        .getLocalAddress(ConnectorType.HTTP)
                        .getPort();
                browser = "http://127.0.0.1:" + httpBound + "/browser/";
                awaitPage(browser, deadline);
                Path tmp = home.resolve("neo4j.browser.tmp");
                Files.writeString(tmp, browser + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, browserFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            String url = "bolt://127.0.0.1:" + bolt;
            Path tmp = home.resolve("neo4j.url.tmp");
            Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, urlFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("neo4j: ready in %.1f s (page cache %d MiB, max heap %d MiB)%n",
                    (System.nanoTime() - t0) / 1e9, pageCache >> 20, Runtime.getRuntime().maxMemory() >> 20);
            if (browser != null) {
                System.out.println("neo4j: Neo4j Browser at " + browser + " (connect to " + url + ", no authentication)");
            }
            System.out.println(url);
            System.out.flush();
        } catch (Exception e) {
            System.err.println("neo4j: failed to start: " + e);
            e.printStackTrace();
            System.exit(1); // runs the shutdown hook
        }
        stopped.await();
    }

    /** Until a Bolt handshake on 127.0.0.1:port is answered with a version (not refused, not zero). */
    private static void awaitBolt(int port, long deadline) throws InterruptedException {
        // magic preamble, then four proposed versions (4 bytes each: 0, range, minor, major): 5.0-5.4, 4.4
        byte[] hello = {(byte) 0x60, (byte) 0x60, (byte) 0xB0, (byte) 0x17,
                0, 4, 4, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(hello);
                out.flush();
                int version = new DataInputStream(s.getInputStream()).readInt();
                if (version != 0) {
                    return;
                }
                last = new IOException("handshake answered with no version");
            } catch (IOException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("Bolt on port " + port + " did not answer a handshake: " + last);
    }

    /** Until GET url answers 200 (Neo4j Browser's index page). */
    private static void awaitPage(String url, long deadline) throws InterruptedException {
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                int status = c.getResponseCode();
                c.getInputStream().close();
                if (status == 200) {
                    return;
                }
                last = new IOException("HTTP " + status);
            } catch (IOException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException(url + " did not answer 200: " + last);
    }

    /** A port free on 127.0.0.1 at this moment (bound, read and released). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
