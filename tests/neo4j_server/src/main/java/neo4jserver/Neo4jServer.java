package neo4jserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A throw-away Neo4j community server for tests and local use: Neo4j embedded, reachable over Bolt
 * exactly like a packaged server, with open GDS on the classpath.
 *
 * <pre>java [jvm options] -cp target/classes:target/lib/* neo4jserver.Neo4jServer HOME PORT [--ignore-stdin]</pre>
 *
 * HOME is a folder Neo4j owns (data/ and logs/ go inside it); PORT 0 picks a free port. Once Bolt
 * accepts connections, prints exactly one line on stdout: {@code NEO4J READY bolt://127.0.0.1:PORT}.
 * Stops on SIGTERM/SIGINT, and also when stdin reaches EOF, so a parent that dies (and so closes
 * the pipe) never leaves a server behind. --ignore-stdin is for running it detached (stdin /dev/null).
 */
public final class Neo4jServer {

    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("--ignore-stdin"))) {
            System.err.println("usage: Neo4jServer HOME PORT [--ignore-stdin]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        boolean watchStdin = args.length < 3;
        // Embedded Neo4j loads the GDS extension from the classpath but registers procedures and
        // functions only from jars in its plugin directory: the build copies the GDS jars to
        // target/plugins, next to target/classes (or the launcher jar) that this class came from.
        Path plugins = Path.of(Neo4jServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent()
                .resolve("plugins");
        if (!Files.isDirectory(plugins)) {
            System.err.println("warning: no " + plugins + ": gds.* procedures will be missing (run mvn package)");
        }

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                // Loopback only: there is no auth, so nothing off this machine may reach it.
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Unset, the page cache sizes itself to about half of the machine's RAM; 256 MiB suits the
                // tests, and -Dindgraph.pagecache=1g (the run script's NEO4J_PAGECACHE) a benchmark.
                .setConfig(GraphDatabaseSettings.pagecache_memory,
                        ByteUnit.parse(System.getProperty("indgraph.pagecache", "256m")))
                // Unset, every database (system + neo4j) preallocates 256 MiB of transaction log.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // GDS procedures touch kernel internals, which Neo4j only allows to allow-listed names.
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"))
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                // Netty's graceful stop waits this quiet period (default 5 s) once per event-loop
                // group, so a default shutdown takes ~10 s; a test server has nothing to drain.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        DatabaseManagementService dbms;
        try {
            dbms = builder.build();
        } catch (RuntimeException e) {
            // E.g. port taken. Exit explicitly: a half-started Neo4j may leave non-daemon threads.
            e.printStackTrace();
            System.exit(1);
            return;
        }

        // Shut down exactly once, whichever comes first: stdin EOF in main, or a signal via the hook.
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                dbms.shutdown();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-shutdown"));

        // build() returns once the databases are started and Bolt is bound; with port 0 the
        // actual port is only known from the connector port register.
        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        int boundPort = db.getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT)
                .getPort();
        System.out.println("NEO4J READY bolt://" + HOST + ":" + boundPort);
        System.out.flush();

        if (!watchStdin) {
            // Park the main thread; the shutdown hook does the stopping.
            Thread.currentThread().join();
        }
        // Whatever arrives on stdin is ignored; only its end matters.
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) != -1) {
                // discard
            }
        } catch (IOException e) {
            // A broken stdin means the parent is gone, same as EOF.
        }
        stop.run();
        System.exit(0);
    }
}
