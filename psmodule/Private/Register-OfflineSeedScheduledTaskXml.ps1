function Register-OfflineSeedScheduledTaskXml {
    <#
    .SYNOPSIS
    Registers the task XML rendered by backup.schedule under \OfflineSeed\ (Windows ScheduledTasks module).

    .DESCRIPTION
    With a credential, the account's Windows password is handed to Register-ScheduledTask (it takes
    only a string), which gives it to Task Scheduler's own credential store; it is never part of the
    task XML, and the string is dropped right after. Without one the XML's principal logs on by
    itself (SYSTEM, a gMSA, or S4U).
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        # Name of the task under \OfflineSeed\.
        [Parameter(Mandatory)]
        [string] $TaskName,

        # The task definition (backup.schedule's TaskXml).
        [Parameter(Mandatory)]
        [string] $Xml,

        # The account and its password, for LogonType Password.
        [Parameter()]
        [System.Management.Automation.PSCredential] $Credential,

        # Replace a task of the same name.
        [Parameter()]
        [switch] $Force
    )

    $registration = @{ TaskName = $TaskName; TaskPath = '\OfflineSeed\'; Xml = $Xml; Force = $Force.IsPresent; ErrorAction = 'Stop' }
    try {
        if ($null -ne $Credential) {
            $registration['User'] = $Credential.UserName
            $registration['Password'] = $Credential.GetNetworkCredential().Password
        }
        $null = Register-ScheduledTask @registration
    } finally {
        $registration['Password'] = $null
    }
}
