package dev.lote.host;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * What one service finds among the libraries all services share: the resources of the libraries
 * its own jar carries, and none of the others'. Spring Boot finds its auto-configuration
 * candidates, {@code spring.factories} and service providers as resources, so a service is
 * configured from its own libraries only (the gateway gets no data source from the JDBC libraries
 * other services carry). Classes are the host's, loaded once for all services, and any of them
 * may be loaded by name: Spring resolves some factories it finds through the host's own class
 * loader by the thread's context class loader, and must find them there.
 */
final class LibraryView extends ClassLoader {

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader libraries;
  private final Path libFolder;
  private final Set<String> visibleLibraries;

  /**
   * @param libraries        the class loader of all services' libraries (the host's)
   * @param libFolder        the folder those libraries were unpacked into
   * @param visibleLibraries the file names in it this service's jar carries
   */
  LibraryView(String service, ClassLoader libraries, Path libFolder, Set<String> visibleLibraries) {
    super(service + "-libraries", null);
    this.libraries = libraries;
    this.libFolder = realPath(libFolder);
    this.visibleLibraries = Set.copyOf(visibleLibraries);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    return libraries.loadClass(name);
  }

  @Override
  public URL getResource(String name) {
    URL first = libraries.getResource(name);
    if (first == null || isVisible(first)) {
      return first;
    }
    Enumeration<URL> all = getResources(name);
    return all.hasMoreElements() ? all.nextElement() : null;
  }

  @Override
  public Enumeration<URL> getResources(String name) {
    List<URL> visible = new ArrayList<>();
    try {
      for (URL url : Collections.list(libraries.getResources(name))) {
        if (isVisible(url)) {
          visible.add(url);
        }
      }
    } catch (IOException e) {
      return Collections.emptyEnumeration();
    }
    return Collections.enumeration(visible);
  }

  /** A resource of the JDK or of anything outside the shared library folder is visible; a library is if the service carries it. */
  boolean isVisible(URL url) {
    Path jar = jarOf(url);
    return jar == null || !libFolder.equals(jar.getParent()) || visibleLibraries.contains(jar.getFileName().toString());
  }

  /** The class path names its entries by their canonical paths: so must the folder they are compared with. */
  private static Path realPath(Path folder) {
    try {
      return folder.toRealPath();
    } catch (IOException e) {
      return folder.toAbsolutePath().normalize();
    }
  }

  /** The jar a {@code jar:file:...!/entry} URL points into; null for any other URL. */
  static Path jarOf(URL url) {
    if (!"jar".equals(url.getProtocol())) {
      return null;
    }
    String spec = url.getPath();
    int bang = spec.indexOf("!/");
    if (!spec.startsWith("file:") || bang < 0) {
      return null;
    }
    try {
      return Path.of(new URL(spec.substring(0, bang)).toURI());
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
