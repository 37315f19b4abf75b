@echo off
rem o365-audit: the operator's CLI for the Office 365 Management Activity API (subscriptions, content, export,
rem doctor), for Windows (cmd.exe and PowerShell). The same as bin/o365-audit: in the plugin archive it runs
rem cli\o365-audit-cli.jar next to this bin folder; in a source checkout it builds target\o365-audit-cli.jar when it
rem is missing (delete it, or run mvnw.cmd -DskipTests package, to rebuild after a change), then runs it. MVN_ARGS
rem adds Maven options, O365_AUDIT_JAVA_OPTS Java options. Arguments are passed through unchanged.
rem See docs/cli.md ("From PowerShell") or o365-audit --help.
setlocal
set "O365_AUDIT_ROOT=%~dp0.."
where java >nul 2>nul
if errorlevel 1 (
  echo o365-audit: no java on the PATH; install a JDK or JRE 17 or later 1>&2
  exit /b 1
)
set "O365_AUDIT_JAR=%O365_AUDIT_ROOT%\cli\o365-audit-cli.jar"
if exist "%O365_AUDIT_JAR%" goto run
set "O365_AUDIT_JAR=%O365_AUDIT_ROOT%\target\o365-audit-cli.jar"
if not exist "%O365_AUDIT_JAR%" (
  echo ^>^> Building the CLI ^(mvnw.cmd -q -B -DskipTests package^) 1>&2
  pushd "%O365_AUDIT_ROOT%"
  call mvnw.cmd %MVN_ARGS% -q -B -DskipTests package 1>&2
  if errorlevel 1 (
    popd
    exit /b 1
  )
  popd
)
:run
rem never change directory for the run itself: --config, --output and certificate paths are the caller's
java %O365_AUDIT_JAVA_OPTS% -jar "%O365_AUDIT_JAR%" %*
exit /b %ERRORLEVEL%
