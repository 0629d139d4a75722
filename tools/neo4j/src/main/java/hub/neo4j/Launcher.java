package hub.neo4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A Neo4j 5 community DBMS with its Bolt connector, for scripts/neo4j (CONTRACT.md, "A local Neo4j server").
 *
 * <p>{@code java -cp ... hub.neo4j.Launcher DIR}: the DBMS's home (data, logs) is DIR; Bolt listens on
 * 127.0.0.1 at {@code NEO4J_BOLT_PORT} (default 0: the system picks a free port), without TLS and without
 * authentication. Page cache from {@code NEO4J_PAGECACHE} (default 256m); the heap is the JVM's (-Xmx).
 *
 * <p>Once a Bolt handshake on that port succeeds and the default database is available, it writes the URL
 * to DIR/neo4j.url (atomically: the file's presence means "ready") and prints it as the last line on
 * standard output. SIGTERM (or SIGINT) shuts the DBMS down cleanly and removes DIR/neo4j.url.
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
        Files.createDirectories(home);
        Files.deleteIfExists(urlFile);
        int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "0"));
        long pageCache = ByteUnit.parse(env("NEO4J_PAGECACHE", "256m"));

        // SIGTERM / SIGINT: a clean shutdown (checkpoint); one during the start only exits, and the next start
        // recovers the store
        AtomicReference<DatabaseManagementService> started = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j: shutting down");
            try {
                Files.deleteIfExists(urlFile);
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
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
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
            String url = "bolt://127.0.0.1:" + bolt;
            Path tmp = home.resolve("neo4j.url.tmp");
            Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, urlFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("neo4j: ready in %.1f s (page cache %d MiB, max heap %d MiB)%n",
                    (System.nanoTime() - t0) / 1e9, pageCache >> 20, Runtime.getRuntime().maxMemory() >> 20);
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

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
