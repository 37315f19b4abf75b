package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bin/o365-audit.cmd does what bin/o365-audit does, for Windows: the archive's cli jar first, else the checkout's
 * target jar (built when missing), every argument passed through, the CLI's exit code returned; and the plugin
 * archive ships it, with the completion script. No Windows here: the script's text is checked, line by line.
 */
class LauncherScriptsTest {
    static final Path BASE = Path.of(System.getProperty("project.basedir", "."));

    private static String read(String path) throws Exception {
        return Files.readString(BASE.resolve(path), StandardCharsets.UTF_8);
    }

    @Test
    void theWindowsLauncherRunsTheSameJarsAsTheBashOneAndPassesEveryArgument() throws Exception {
        String cmd = read("bin/o365-audit.cmd");
        String bash = read("bin/o365-audit");
        assertTrue(bash.contains("$root/cli/o365-audit-cli.jar") && bash.contains("$root/target/o365-audit-cli.jar"));

        List<String> lines = cmd.lines().toList();
        assertTrue(cmd.replace("\r\n", "").indexOf('\n') < 0, "CRLF line endings throughout (cmd.exe needs them)");
        int archive = indexOf(lines, "\\cli\\o365-audit-cli.jar\"");
        int checkout = indexOf(lines, "\\target\\o365-audit-cli.jar\"");
        assertTrue(archive >= 0 && checkout > archive, "the archive's jar first, then the checkout's");
        assertTrue(lines.get(archive + 1).trim().equals("if exist \"%O365_AUDIT_JAR%\" goto run"), cmd);
        assertTrue(cmd.contains("call mvnw.cmd %MVN_ARGS% -q -B -DskipTests package"), "builds as bin/o365-audit does");

        int run = lines.indexOf(":run");
        assertTrue(run > checkout, "one place runs the jar");
        List<String> tail = lines.subList(run, lines.size()).stream()
                .filter(l -> !l.startsWith("rem "))
                .toList();
        assertEquals(
                List.of(":run", "java %O365_AUDIT_JAVA_OPTS% -jar \"%O365_AUDIT_JAR%\" %*", "exit /b %ERRORLEVEL%"),
                tail,
                "every argument (%*) goes to the jar, and its exit code comes back; %ERRORLEVEL% is read outside any "
                        + "parenthesised block (inside one it would be the value from before the java run)");
        assertFalse(
                cmd.contains("cd /d") || cmd.lines().anyMatch(l -> l.trim().startsWith("cd ")),
                "never changes directory for the run: relative --config and --output paths are the caller's");
    }

    @Test
    void thePluginArchiveShipsTheWindowsLauncherAndTheCompletion() throws Exception {
        String assembly = read("src/assembly/hub-component.xml");
        assertTrue(assembly.contains("<source>bin/o365-audit.cmd</source>"), assembly);
        assertTrue(assembly.contains("<lineEnding>crlf</lineEnding>"), "the .cmd keeps CRLF in the zip");
        assertTrue(assembly.contains("<source>bin/o365-audit-completion.bash</source>"), assembly);
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }
}
