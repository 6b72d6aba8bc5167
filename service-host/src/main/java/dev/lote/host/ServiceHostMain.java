package dev.lote.host;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code prepare WORK SERVICE=JAR...}: unpacks the services' jars into WORK (once per build) and
 * prints two lines: the class path to run the host with (the shared libraries and this jar) and a
 * digest of it, which names a class-data archive made from it.
 *
 * <p>{@code run WORK LOGS :: SERVICE ARG... :: SERVICE ARG...}: runs the prepared services in this
 * JVM, each service's log in {@code LOGS/<service>.log}. Give it the class path {@code prepare}
 * printed. With {@code -Dlote.host.restarts=DIR}, each service's failed starts are counted in
 * {@code DIR/<service>.failed-starts}.
 */
public final class ServiceHostMain {

  private ServiceHostMain() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = args.length > 0 ? Arrays.asList(args).subList(1, args.length) : List.of();
    String command = args.length > 0 ? args[0] : "";
    switch (command) {
      case "prepare" -> {
        usageUnless(rest.size() >= 2);
        Path work = Path.of(rest.get(0)).toAbsolutePath();
        List<Path> classPath = new ArrayList<>(new ServiceJars(work).prepare(ServiceJars.parseJars(rest.subList(1, rest.size()))));
        classPath.add(ownJar());
        System.out.println(classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        System.out.println(ServiceJars.digest(classPath));
      }
      case "run" -> {
        usageUnless(rest.size() >= 4);
        ServiceJars jars = new ServiceJars(Path.of(rest.get(0)).toAbsolutePath());
        ServiceHost.configureLogging(Path.of(rest.get(1)).toAbsolutePath());
        String restarts = System.getProperty("lote.host.restarts");
        new ServiceHost(jars, restarts == null ? null : Path.of(restarts)).run(ServiceHost.parseServices(rest.subList(2, rest.size())));
      }
      default -> usageUnless(false);
    }
  }

  private static Path ownJar() throws Exception {
    return Path.of(ServiceHostMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static void usageUnless(boolean ok) {
    if (!ok) {
      System.err.println("usage: prepare WORK SERVICE=JAR...\n       run WORK LOGS :: SERVICE [ARG...] [:: SERVICE [ARG...]]...");
      System.exit(2);
    }
  }
}
