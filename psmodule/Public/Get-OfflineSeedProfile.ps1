function Get-OfflineSeedProfile {
    <#
    .SYNOPSIS
    Gets the saved return address, return carrier and credential profiles, and where each comes from.

    .DESCRIPTION
    Shows what New-OfflineSeedImportJob, Test-OfflineSeedPrerequisite and -CredentialProfile will use
    when they are not told: the user's profile (%APPDATA%\OfflineSeed\profile.json) over the machine's
    (%ProgramData%\OfflineSeed\profile.json), each value with the file it comes from. No secrets: the
    credential profiles name their certificate, never a key.

    .PARAMETER ProfilePath
    Read only this profile file.

    .EXAMPLE
    Get-OfflineSeedProfile

    Shows the return details and credential profiles in effect for you on this computer.

    .EXAMPLE
    (Get-OfflineSeedProfile).CredentialProfiles | Where-Object NotAfter -lt (Get-Date).AddDays(30)

    Lists the credential profiles whose certificate expires within 30 days.

    .INPUTS
    None.

    .OUTPUTS
    OfflineSeed.Profile

    .LINK
    about_OfflineSeed

    .LINK
    Set-OfflineSeedProfile
    #>
    [CmdletBinding()]
    [OutputType('OfflineSeed.Profile')]
    param(
        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProfilePath
    )

    process {
        $params = @{}
        if ($PSBoundParameters.ContainsKey('ProfilePath')) { $params['profilePath'] = Resolve-OfflineSeedPath -Path $ProfilePath }
        Invoke-OfflineSeedEngine -Command 'profile.get' -Parameters $params -Cmdlet $PSCmdlet
    }
}
